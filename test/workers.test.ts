import { workersFor } from '../runner/workers';

describe('jest workers of a run', () => {
  test.each([
    // embedded target: one per core, never more than the areas
    [{ concurrency: 8, areas: 14, embedded: true, cores: 2 }, 2],
    [{ concurrency: 8, areas: 14, embedded: true, cores: 16 }, 14],
    [{ concurrency: 8, areas: 1, embedded: true, cores: 2 }, 1],
    [{ concurrency: 1, areas: 14, embedded: true, cores: 4 }, 4],
    // a deployment: round trips are the wait, more concurrency gets more workers (at most 6)
    [{ concurrency: 8, areas: 14, embedded: false, cores: 2 }, 6],
    [{ concurrency: 2, areas: 14, embedded: false, cores: 2 }, 2],
    [{ concurrency: 1, areas: 14, embedded: false, cores: 4 }, 4],
    [{ concurrency: 8, areas: 3, embedded: false, cores: 2 }, 3],
    [{ concurrency: 8, areas: 14, embedded: false, cores: 0 }, 6],
  ])('%o → %i worker(s)', (sizing, expected) => {
    expect(workersFor(sizing)).toBe(expected);
  });
});
