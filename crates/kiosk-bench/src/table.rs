//! A plain text table: the same look for every benchmark.

pub struct Table {
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&str]) -> Table {
        Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: vec![],
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn print(&self) {
        let n = self.head.len();
        let mut w = vec![0; n];
        for r in std::iter::once(&self.head).chain(&self.rows) {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |r: &Vec<String>| {
            let cells: Vec<String> = (0..n)
                .map(|i| {
                    let c = r.get(i).map(String::as_str).unwrap_or("");
                    format!("{c}{}", " ".repeat(w[i] - c.chars().count()))
                })
                .collect();
            println!("| {} |", cells.join(" | "));
        };
        line(&self.head);
        println!(
            "|{}|",
            w.iter()
                .map(|k| "-".repeat(k + 2))
                .collect::<Vec<_>>()
                .join("|")
        );
        for r in &self.rows {
            line(r);
        }
    }
}

/// `ok` or `MISSED`, for the target column.
pub fn verdict(ok: bool) -> String {
    if ok { "ok" } else { "MISSED" }.to_string()
}
