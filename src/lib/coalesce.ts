/**
 * Coalesces wake-ups of one job: at most one run in flight, and one more if
 * woken while it runs. Many wake-ups during a run cost a single extra run, and
 * a wake-up is never lost: whatever it was about is seen by the run after it.
 *
 * The outbox pump and the PagerDuty intake both work this way: a kick means
 * "there may be new work", and one pass picks up all of it.
 */

/** Wakes the job; `idle()` resolves once no run is in flight. */
export interface Coalesced {
  (): void;
  idle(): Promise<void>;
}

/**
 * `run` is the job. A run that throws ends the current series (wake-ups that
 * came during it wait for the next wake-up, as a failing job would likely fail
 * again at once) and is reported to `onError`.
 */
export function coalesce(run: () => Promise<unknown>, onError: (e: unknown) => void = () => undefined): Coalesced {
  let running: Promise<void> | undefined;
  let again = false;
  const series = async (): Promise<void> => {
    try {
      do {
        again = false;
        await run();
      } while (again);
    } catch (e) {
      onError(e);
    } finally {
      running = undefined;
    }
  };
  const wake = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = series();
  };
  wake.idle = async (): Promise<void> => {
    while (running) await running;
  };
  return wake;
}
