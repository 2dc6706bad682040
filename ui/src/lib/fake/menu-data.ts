/**
 * TEST DOUBLE: the demo catalog served by the fake backend.
 *
 * A small but realistic Russian fast-casual menu: sections, dishes with a required and an
 * optional modifier group, auto ("included") modifiers, a "from" price, two combos (with
 * choices that need their own modifiers: a burger's sauce, a drink's size), a dish on the
 * stop list and one sold out, a limited dish. Prices are fixed decimal strings, as the POS sends.
 */
import type { Availability } from '../bindings/Availability';
import type { Badge } from '../bindings/Badge';
import type { Catalog } from '../bindings/Catalog';
import type { Combo } from '../bindings/Combo';
import type { Dish } from '../bindings/Dish';
import type { ModifierGroup } from '../bindings/ModifierGroup';
import type { Section } from '../bindings/Section';
import type { ArtKind } from './art';

const available: Availability = { kind: 'available' };

/** Picture for each dish, combo and section id: illustration and background hue. */
export const ART: Record<string, { kind: ArtKind; hue: number }> = {};

function section(id: string, name: string, sort: number, art: ArtKind, hue: number): Section {
  ART[id] = { kind: art, hue };
  return { id, name, parent: null, sort, image_url: `https://pos.example/img/${id}.jpg` };
}

interface DishSpec {
  id: string;
  name: string;
  section: string;
  price: string;
  art: ArtKind;
  hue: number;
  description?: string;
  groups?: string[];
  portion?: [string, string];
  badges?: Badge[];
  availability?: Availability;
  noImage?: boolean;
}

let dishSort = 0;
function dish(s: DishSpec): Dish {
  ART[s.id] = { kind: s.art, hue: s.hue };
  return {
    id: s.id,
    name: s.name,
    description: s.description ?? null,
    section: s.section,
    price: s.price,
    image_url: s.noImage ? null : `https://pos.example/img/${s.id}.jpg`,
    availability: s.availability ?? available,
    modifier_groups: s.groups ?? [],
    portion: s.portion ? { value: s.portion[0], unit: s.portion[1] } : null,
    badges: s.badges ?? [],
    sort: dishSort++,
  };
}

const mod = (id: string, name: string, price = '0.00', maxQuantity = 1, auto = false, isAvailable = true) => ({
  id, name, price, max_quantity: maxQuantity, auto, available: isAvailable,
});

export const MODIFIER_GROUPS: ModifierGroup[] = [
  {
    id: 'g-sauce', name: 'Соус', min: 1, max: 1,
    modifiers: [mod('m-cheese-sauce', 'Сырный'), mod('m-bbq', 'Барбекю'), mod('m-garlic', 'Чесночный'),
      mod('m-sweet-chili', 'Сладкий чили', '0.00', 1, false, false)],
  },
  {
    id: 'g-extras', name: 'Добавки', min: 0, max: 3,
    modifiers: [mod('m-bacon', 'Бекон', '60.00'), mod('m-cheddar', 'Сыр чеддер', '40.00', 2),
      mod('m-jalapeno', 'Халапеньо', '30.00'), mod('m-onion', 'Лук фри', '35.00')],
  },
  {
    id: 'g-included', name: 'В составе', min: 0, max: null,
    modifiers: [mod('m-lettuce', 'Салат айсберг', '0.00', 1, true), mod('m-pickles', 'Маринованные огурцы', '0.00', 1, true)],
  },
  {
    id: 'g-wing-sauce', name: 'Соус к крыльям', min: 1, max: 1,
    modifiers: [mod('m-wing-bbq', 'Барбекю', '20.00'), mod('m-wing-honey', 'Медово-горчичный', '20.00'),
      mod('m-wing-buffalo', 'Баффало, острый', '30.00')],
  },
  {
    id: 'g-size', name: 'Объём', min: 1, max: 1,
    modifiers: [mod('m-size-03', '0,3 л'), mod('m-size-05', '0,5 л', '40.00')],
  },
  {
    id: 'g-syrup', name: 'Сироп', min: 0, max: 2,
    modifiers: [mod('m-vanilla', 'Ванильный', '30.00'), mod('m-caramel', 'Карамельный', '30.00'),
      mod('m-hazelnut', 'Ореховый', '30.00')],
  },
  {
    id: 'g-topping', name: 'Топпинг', min: 0, max: 1,
    modifiers: [mod('m-choco', 'Шоколадный', '25.00'), mod('m-berry', 'Клубничный', '25.00')],
  },
  {
    id: 'g-milk', name: 'Молоко', min: 0, max: 1,
    modifiers: [mod('m-oat', 'Овсяное', '40.00'), mod('m-lactose-free', 'Безлактозное', '30.00')],
  },
];

export const SECTIONS: Section[] = [
  section('s-burgers', 'Бургеры', 1, 'burger', 32),
  section('s-combo', 'Комбо', 2, 'combo', 18),
  section('s-snacks', 'Закуски', 3, 'fries', 44),
  section('s-salads', 'Салаты и супы', 4, 'salad', 96),
  section('s-drinks', 'Напитки', 5, 'drink', 200),
  section('s-desserts', 'Десерты', 6, 'cake', 330),
];

export const DISHES: Dish[] = [
  dish({ id: 'd-classic', name: 'Классический бургер', section: 's-burgers', price: '289.00', art: 'burger', hue: 32,
    description: 'Говяжья котлета на гриле, булочка бриошь, томаты, красный лук и фирменный соус на выбор.',
    groups: ['g-sauce', 'g-extras', 'g-included'], portion: ['250', 'г'], badges: ['hit'] }),
  dish({ id: 'd-double', name: 'Двойной чизбургер', section: 's-burgers', price: '389.00', art: 'burger', hue: 20,
    description: 'Две говяжьи котлеты, двойной чеддер, маринованные огурцы и соус на выбор.',
    groups: ['g-sauce', 'g-extras', 'g-included'], portion: ['340', 'г'], badges: ['hit'] }),
  dish({ id: 'd-chicken', name: 'Чикен бургер', section: 's-burgers', price: '259.00', art: 'burger', hue: 48,
    description: 'Хрустящее куриное филе в панировке, салат айсберг и медово-горчичный соус.',
    groups: ['g-extras'], portion: ['230', 'г'], badges: ['new'] }),
  dish({ id: 'd-spicy', name: 'Бургер «Халапеньо»', section: 's-burgers', price: '319.00', art: 'burger', hue: 8,
    description: 'Говяжья котлета, перец халапеньо, острый соус шрирача и сыр пеппер-джек.',
    groups: ['g-extras'], portion: ['260', 'г'], badges: ['spicy'] }),
  dish({ id: 'd-veggie', name: 'Веджи бургер', section: 's-burgers', price: '279.00', art: 'burger', hue: 100,
    description: 'Котлета из нута и киноа, авокадо, свежие овощи и йогуртовый соус.',
    groups: ['g-extras'], portion: ['240', 'г'], badges: ['vegetarian', 'new'] }),
  dish({ id: 'd-fish', name: 'Фиш бургер', section: 's-burgers', price: '249.00', art: 'burger', hue: 190,
    description: 'Филе трески в хрустящей панировке и соус тартар.', portion: ['210', 'г'],
    availability: { kind: 'out_of_stock', reason: 'stop_list' } }),

  dish({ id: 'd-fries', name: 'Картофель фри', section: 's-snacks', price: '129.00', art: 'fries', hue: 44,
    description: 'Хрустящий картофель с морской солью.', portion: ['120', 'г'], badges: ['vegetarian'] }),
  dish({ id: 'd-wings', name: 'Куриные крылья', section: 's-snacks', price: '199.00', art: 'nuggets', hue: 24,
    description: 'Шесть крыльев в глазури, соус на выбор.', groups: ['g-wing-sauce'], portion: ['6', 'шт'],
    badges: ['spicy'] }),
  dish({ id: 'd-nuggets', name: 'Наггетсы', section: 's-snacks', price: '179.00', art: 'nuggets', hue: 38,
    description: 'Девять куриных наггетсов с соусом барбекю.', portion: ['9', 'шт'],
    availability: { kind: 'limited', remains: 3 } }),
  dish({ id: 'd-rings', name: 'Луковые кольца', section: 's-snacks', price: '149.00', art: 'rings', hue: 50,
    description: 'Кольца сладкого лука в пивном кляре.', portion: ['110', 'г'], badges: ['vegetarian'] }),
  dish({ id: 'd-sticks', name: 'Сырные палочки', section: 's-snacks', price: '189.00', art: 'fries', hue: 56,
    description: 'Моцарелла в хрустящей панировке.', portion: ['6', 'шт'],
    availability: { kind: 'out_of_stock', reason: 'sold_out' } }),

  dish({ id: 'd-caesar', name: 'Цезарь с курицей', section: 's-salads', price: '349.00', art: 'salad', hue: 90,
    description: 'Романо, куриное филе гриль, пармезан, гренки и соус цезарь.', portion: ['220', 'г'], badges: ['hit'] }),
  dish({ id: 'd-greek', name: 'Греческий салат', section: 's-salads', price: '299.00', art: 'salad', hue: 70,
    description: 'Томаты, огурцы, перец, оливки и сыр фета.', portion: ['230', 'г'], badges: ['vegetarian'] }),
  dish({ id: 'd-borsch', name: 'Борщ со сметаной', section: 's-salads', price: '259.00', art: 'soup', hue: 12,
    description: 'Классический борщ на говяжьем бульоне, сметана и зелень.', portion: ['300', 'мл'] }),

  dish({ id: 'd-cola', name: 'Кола', section: 's-drinks', price: '119.00', art: 'drink', hue: 0,
    description: 'Охлаждённая, со льдом.', groups: ['g-size'] }),
  dish({ id: 'd-mors', name: 'Морс клюквенный', section: 's-drinks', price: '149.00', art: 'drink', hue: 340,
    description: 'Домашний морс из северной клюквы.', portion: ['400', 'мл'] }),
  dish({ id: 'd-lemonade', name: 'Лимонад «Тархун»', section: 's-drinks', price: '169.00', art: 'juice', hue: 110,
    description: 'Домашний лимонад с эстрагоном и лаймом.', portion: ['400', 'мл'], badges: ['new'] }),
  dish({ id: 'd-juice', name: 'Апельсиновый сок', section: 's-drinks', price: '189.00', art: 'juice', hue: 36,
    description: 'Свежевыжатый.', portion: ['300', 'мл'] }),
  dish({ id: 'd-tea', name: 'Чай чёрный', section: 's-drinks', price: '99.00', art: 'coffee', hue: 28,
    description: 'Цейлонский чай, лимон по желанию.', portion: ['300', 'мл'] }),
  dish({ id: 'd-cappuccino', name: 'Капучино', section: 's-drinks', price: '179.00', art: 'coffee', hue: 30,
    description: 'Двойной эспрессо и молочная пена.', groups: ['g-milk', 'g-syrup'], portion: ['300', 'мл'] }),

  dish({ id: 'd-cheesecake', name: 'Чизкейк Нью-Йорк', section: 's-desserts', price: '229.00', art: 'cake', hue: 340,
    description: 'Нежный сливочный чизкейк с ягодным соусом.', portion: ['120', 'г'], badges: ['hit'] }),
  dish({ id: 'd-icecream', name: 'Мороженое пломбир', section: 's-desserts', price: '119.00', art: 'icecream', hue: 300,
    description: 'Три шарика пломбира.', groups: ['g-topping'], portion: ['150', 'г'], badges: ['vegetarian'] }),
  dish({ id: 'd-syrniki', name: 'Сырники со сметаной', section: 's-desserts', price: '219.00', art: 'pancakes', hue: 40,
    description: 'Три сырника из фермерского творога, сметана и варенье.', portion: ['180', 'г'], badges: ['new'],
    noImage: true }),
];

function combo(c: Omit<Combo, 'image_url' | 'availability'> & { hue: number }): Combo {
  ART[c.id] = { kind: 'combo', hue: c.hue };
  const { hue: _hue, ...rest } = c;
  return { ...rest, image_url: `https://pos.example/img/${c.id}.jpg`, availability: available };
}

export const COMBOS: Combo[] = [
  combo({
    id: 'c-lunch', name: 'Комбо «Обед»', section: 's-combo', price: '449.00', sort: 100, hue: 18,
    description: 'Бургер, закуска и напиток на выбор.',
    slots: [
      { id: 'main', name: 'Бургер', min: 1, max: 1, default_choice: 'd-chicken',
        choices: [{ dish: 'd-chicken', price_delta: '0.00' }, { dish: 'd-veggie', price_delta: '0.00' },
          { dish: 'd-spicy', price_delta: '40.00' }, { dish: 'd-fish', price_delta: '0.00' },
          { dish: 'd-classic', price_delta: '30.00' }] },
      { id: 'side', name: 'Закуска', min: 1, max: 1, default_choice: 'd-fries',
        choices: [{ dish: 'd-fries', price_delta: '0.00' }, { dish: 'd-rings', price_delta: '20.00' },
          { dish: 'd-nuggets', price_delta: '50.00' }] },
      { id: 'drink', name: 'Напиток', min: 1, max: 1, default_choice: 'd-mors',
        choices: [{ dish: 'd-mors', price_delta: '0.00' }, { dish: 'd-tea', price_delta: '0.00' },
          { dish: 'd-lemonade', price_delta: '20.00' }, { dish: 'd-juice', price_delta: '40.00' },
          { dish: 'd-cola', price_delta: '0.00' }] },
    ],
  }),
  combo({
    id: 'c-kids', name: 'Детское комбо', section: 's-combo', price: '329.00', sort: 101, hue: 300,
    description: 'Бургер, сок и мороженое.',
    slots: [
      { id: 'main', name: 'Бургер', min: 1, max: 1, default_choice: null,
        choices: [{ dish: 'd-chicken', price_delta: '0.00' }, { dish: 'd-veggie', price_delta: '0.00' }] },
      { id: 'drink', name: 'Напиток', min: 1, max: 1, default_choice: 'd-juice',
        choices: [{ dish: 'd-juice', price_delta: '0.00' }, { dish: 'd-tea', price_delta: '0.00' }] },
      { id: 'dessert', name: 'Десерт', min: 1, max: 1, default_choice: 'd-icecream',
        choices: [{ dish: 'd-icecream', price_delta: '0.00' }, { dish: 'd-cheesecake', price_delta: '60.00' }] },
    ],
  }),
];

export function demoCatalog(version: string): Catalog {
  return {
    version,
    sections: SECTIONS,
    dishes: DISHES,
    modifier_groups: MODIFIER_GROUPS,
    combos: COMBOS,
    faults: [{ kind: 'missing_image', subject: 'dish d-syrniki', message: 'no picture in the POS' }],
  };
}
