import { coViews } from '@shop/dataflow';
import { create, groupBy, paneInfoParam, parDo, sessions, windowInto, type PaneInfo, type ParDoLookupParam } from 'apache-beam';
import { directRunner } from 'apache-beam/runners/direct_runner';
import { requireForSerialization } from 'apache-beam/serialization';

/*
 * What Beam's TypeScript SDK (2.49) does on its direct runner, where the README relies on it. Should
 * an upgrade change one of these, the README's account of the two runners needs revisiting.
 */

/** Records the pane each grouped element arrives in. */
class RecordPane {
  constructor(readonly panes: PaneInfo[]) {}

  process(_element: unknown, context: { pane: ParDoLookupParam<PaneInfo> }): never[] {
    this.panes.push(context.pane.lookup());
    return [];
  }
}
requireForSerialization('beam-sdk-test', { RecordPane });

test('the direct runner refuses session windows, so co_views are computed by the Node runner only', async () => {
  const run = directRunner().run((root) => {
    root
      .apply(create([{ sessionKey: 'shopper-0000', productId: 'a' }]))
      .apply(windowInto(sessions(coViews.sessionGapMs / 1000)))
      .apply(groupBy('sessionKey'));
  });
  await expect(run).rejects.toThrow('Unsupported non-merging WindowFn');
});

test('the direct runner reports its one firing per window as a late, non-final pane, so rows state their pane themselves', async () => {
  const panes: PaneInfo[] = [];
  requireForSerialization('beam-sdk-test', { panes });
  await directRunner().run((root) => {
    root
      .apply(create([{ key: 'a' }, { key: 'a' }, { key: 'b' }]))
      .apply(groupBy('key'))
      .apply(parDo(new RecordPane(panes), { pane: paneInfoParam() }));
  });
  expect(panes).toHaveLength(2);
  for (const pane of panes) expect(pane).toMatchObject({ timing: 'LATE', isLast: false });
});
