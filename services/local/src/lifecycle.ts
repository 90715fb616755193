/** Raised between start-up steps once a stop was requested, so start-up ends early and cleanly. */
export class StopRequested extends Error {
  constructor() {
    super('stop requested during start-up');
    this.name = 'StopRequested';
  }
}

type StopStep = () => Promise<void>;

/**
 * Stop steps are registered as each part starts and run once, newest first, so a stop at any
 * moment (signal, start-up failure) closes exactly what was opened, in reverse order.
 */
export class Lifecycle {
  private readonly steps: Array<[name: string, step: StopStep]> = [];
  private requested = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly reportFailure: (step: string, err: unknown) => void) {}

  onStop(name: string, step: StopStep): void {
    this.steps.push([name, step]);
  }

  requestStop(): void {
    this.requested = true;
  }

  get stopRequested(): boolean {
    return this.requested;
  }

  /** Call between start-up steps. */
  checkpoint(): void {
    if (this.requested) throw new StopRequested();
  }

  stop(): Promise<void> {
    this.requested = true;
    this.stopping ??= this.runSteps();
    return this.stopping;
  }

  private async runSteps(): Promise<void> {
    for (let entry = this.steps.pop(); entry; entry = this.steps.pop()) {
      const [name, step] = entry;
      try {
        await step();
      } catch (err) {
        this.reportFailure(name, err);
      }
    }
  }
}
