import fc from 'fast-check';
import { categoryViews, pathOf, subtreeIds, wouldCycle, type CategoryRow } from '../src/domain/categories';
import { imageUrl } from '../src/domain/images';
import { groupRows, mergeGroup, parseRow, type ImportRow } from '../src/domain/import-rows';
import { decodeCursor, effectiveSort, encodeCursor } from '../src/domain/listing';
import { optionNamesOf, productRules, sameState, type ProductRecord, type ProductState } from '../src/domain/products';
import { searchWords } from '../src/domain/search';

const cat = (id: string, parentId: string | null, position = 0, name = id): CategoryRow => ({ id, slug: id, name, parentId, position });
const tree = [cat('b', null, 2), cat('a', null, 1), cat('a2', 'a', 2), cat('a1', 'a', 1), cat('a1x', 'a1')];

describe('category tree', () => {
  it('lists depth first, siblings by position, each with its path', () => {
    const views = categoryViews(tree);
    expect(views.map((v) => v.id)).toEqual(['a', 'a1', 'a1x', 'a2', 'b']);
    expect(views.find((v) => v.id === 'a1x')!.path.map((p) => p.id)).toEqual(['a', 'a1', 'a1x']);
  });

  it('finds paths, subtrees and would-be cycles', () => {
    expect(pathOf(tree, 'a1x').map((p) => p.id)).toEqual(['a', 'a1', 'a1x']);
    expect(subtreeIds(tree, 'a').sort()).toEqual(['a', 'a1', 'a1x', 'a2']);
    expect(wouldCycle(tree, 'a', 'a1x')).toBe(true);
    expect(wouldCycle(tree, 'a', 'a')).toBe(true);
    expect(wouldCycle(tree, 'a1x', 'b')).toBe(false);
    expect(wouldCycle(tree, 'a', null)).toBe(false);
  });

  it('never lets a move that passes the check create a cycle', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'a1', 'a1x', 'a2', 'b'), fc.constantFrom('a', 'a1', 'a1x', 'a2', 'b', null)), { maxLength: 30 }), (moves) => {
        let rows = tree.map((r) => ({ ...r }));
        for (const [id, parentId] of moves) {
          if (!wouldCycle(rows, id, parentId)) rows = rows.map((r) => (r.id === id ? { ...r, parentId } : r));
        }
        // Every category reaches the top by its parents without meeting itself.
        for (const r of rows) {
          let current: CategoryRow | undefined = r;
          for (let steps = 0; current?.parentId; steps++) {
            expect(steps).toBeLessThan(rows.length);
            current = rows.find((x) => x.id === current!.parentId);
          }
        }
        expect(categoryViews(rows)).toHaveLength(rows.length);
      }),
    );
  });
});

const product = (variants: ProductState['variants'], extra: Partial<ProductState> = {}): ProductState => ({
  id: '00000000-0000-4000-8000-000000000001',
  slug: 'p',
  name: 'P',
  description: '',
  status: 'active',
  categoryId: null,
  currency: 'EUR',
  images: [],
  optionNames: optionNamesOf(variants),
  variants,
  ...extra,
});

describe('product rules', () => {
  it('needs the same option names on every variant and distinct values', () => {
    expect(productRules(product([{ sku: 'A', priceMinor: 1, options: { size: 'S', colour: 'red' } }, { sku: 'B', priceMinor: 1, options: { colour: 'red', size: 'M' } }]))).toEqual([]);
    expect(productRules(product([{ sku: 'A', priceMinor: 1, options: { size: 'S' } }, { sku: 'B', priceMinor: 1, options: { colour: 'red' } }])).map((v) => v.field)).toEqual(['variants.0.options', 'variants.1.options']);
    expect(productRules(product([{ sku: 'A', priceMinor: 1, options: {} }, { sku: 'B', priceMinor: 1, options: {} }])).map((v) => v.field)).toEqual(['variants.1.options']);
    expect(productRules(product([{ sku: 'A', priceMinor: 1, options: { s: '1' } }, { sku: 'A', priceMinor: 1, options: { s: '2' } }])).map((v) => v.field)).toEqual(['variants.1.sku']);
    expect(productRules(product([{ sku: 'A', priceMinor: 1, options: {} }], { slug: '123e4567-e89b-42d3-a456-426614174000' })).map((v) => v.field)).toEqual(['slug']);
  });

  it('compares states whatever the key order of options', () => {
    const a = product([{ sku: 'A', priceMinor: 1, options: { size: 'S', colour: 'red' } }]);
    const b = { ...a, variants: [{ sku: 'A', priceMinor: 1, options: { colour: 'red', size: 'S' } }] };
    expect(sameState(a, b)).toBe(true);
    expect(sameState(a, { ...b, variants: [{ ...b.variants[0]!, priceMinor: 2 }] })).toBe(false);
  });
});

describe('search words', () => {
  it('keeps letters and digits in lower case, deduplicated and bounded', () => {
    expect(searchWords("Blak  HOODEI, size-42 ('&|!:*)")).toEqual(['blak', 'hoodei', 'size', '42']);
    expect(searchWords('Crème brûlée')).toEqual(['crème', 'brûlée']);
    expect(searchWords('a b c d e f g h i j')).toHaveLength(8);
    fc.assert(fc.property(fc.string(), (q) => searchWords(q).every((w) => /^[\p{L}\p{N}]{1,40}$/u.test(w))));
  });
});

describe('images and cursors', () => {
  it('maps gs:// objects under the assets base, encoding each segment', () => {
    expect(imageUrl('https://shop.example/assets', 'gs://shop-assets/products/x.jpg')).toBe('https://shop.example/assets/products/x.jpg');
    expect(imageUrl('/assets', 'gs://b1/a b/ü?.jpg')).toBe('/assets/a%20b/%C3%BC%3F.jpg');
  });

  it('round-trips cursors for their sort only', () => {
    const c = { s: 'price_asc' as const, k: '1999', id: '00000000-0000-4000-8000-000000000001' };
    expect(decodeCursor(encodeCursor(c), 'price_asc')).toEqual(c);
    expect(decodeCursor(encodeCursor(c), 'name')).toBeNull();
    expect(decodeCursor('garbage', 'name')).toBeNull();
    expect(effectiveSort(undefined, true)).toBe('relevance');
    expect(effectiveSort('relevance', false)).toBe('newest');
  });
});

describe('import rows', () => {
  const base = { product_slug: 'tee', product_name: 'Tee', currency: 'EUR', sku: 'TEE-S', price_minor: '1999' };

  it('parses the optional columns and names the column of each problem', () => {
    expect(parseRow({ ...base, options: 'size=S; colour = red', images: 'gs://b01/a.jpg|Front;gs://b01/b.jpg', status: '' }, 2)).toMatchObject({
      options: { size: 'S', colour: 'red' },
      images: [{ uri: 'gs://b01/a.jpg', alt: 'Front' }, { uri: 'gs://b01/b.jpg', alt: '' }],
      status: null,
      priceMinor: 1999,
    });
    const errors = parseRow({ ...base, price_minor: '', options: 'size', images: 'http://x/y.jpg', currency: 'eur' }, 7);
    expect(Array.isArray(errors) && errors.find((e) => e.field === 'images')?.message).toContain('is not a gs://bucket/object URI');
    expect(Array.isArray(errors) && errors.map((e) => [e.row, e.field])).toEqual([
      [7, 'currency'],
      [7, 'price_minor'],
      [7, 'options'],
      [7, 'images'],
    ]);
  });

  it('groups rows per product and merges them over the stored product, keeping variants the file leaves out', () => {
    const rows = [parseRow({ ...base, options: 'size=S' }, 2), parseRow({ ...base, sku: 'TEE-M', options: 'size=M' }, 3), parseRow({ ...base, sku: 'TEE-M' }, 4), parseRow({ ...base, sku: 'TEE-L', product_name: 'Other' }, 5)] as ImportRow[];
    const { groups, errors } = groupRows(rows);
    expect(errors.map((e) => [e.row, e.field])).toEqual([
      [4, 'sku'],
      [5, 'product_name'],
    ]);
    const stored: ProductRecord = {
      ...product([{ sku: 'TEE-XL', priceMinor: 2500, options: { size: 'XL' } }, { sku: 'TEE-S', priceMinor: 1500, options: { size: 'S' } }], { description: 'kept' }),
      version: 3,
      createdAt: new Date(),
      updatedAt: new Date(),
      deletedAt: null,
      available: {},
    };
    const next = mergeGroup(stored, groups[0]!, stored.id, undefined);
    expect(next.variants).toEqual([
      { sku: 'TEE-XL', priceMinor: 2500, options: { size: 'XL' } },
      { sku: 'TEE-S', priceMinor: 1999, options: { size: 'S' } },
      { sku: 'TEE-M', priceMinor: 1999, options: { size: 'M' } },
    ]);
    expect(next).toMatchObject({ description: 'kept', status: 'active', name: 'Tee', optionNames: ['size'] });
  });
});
