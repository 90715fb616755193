import { retryDelayMs } from '../../src/events/backoff';

describe('retryDelayMs', () => {
  it('doubles per attempt between half and all of the ceiling, up to the cap', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 100, 1000, low))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4, 5, 30].map((a) => retryDelayMs(a, 100, 1000, high))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });
});
