// Slows down guessing of the admin key: after `maxFailures` failed logins from one address
// within `windowMs`, further attempts from it are refused until the oldest failure ages out.
// In memory, per node; bounded so a flood of addresses cannot grow it without limit.

export interface LoginLimiterOptions {
  maxFailures: number;
  windowMs: number;
  now: () => number;
  /** Most addresses tracked at once; the oldest entries are dropped past it. */
  maxAddresses?: number;
}

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #options: Required<LoginLimiterOptions>;

  constructor(options: LoginLimiterOptions) {
    this.#options = { maxAddresses: 10_000, ...options };
  }

  /** Seconds to wait before trying again, or 0 when the address may try now. */
  retryAfterSeconds(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.#options.maxFailures) return 0;
    const oldest = recent[recent.length - this.#options.maxFailures]!;
    return Math.max(1, Math.ceil((oldest + this.#options.windowMs - this.#options.now()) / 1000));
  }

  recordFailure(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.#options.now());
    this.#failures.delete(address);
    this.#failures.set(address, recent);
    if (this.#failures.size > this.#options.maxAddresses) {
      const oldestAddress = this.#failures.keys().next().value;
      if (oldestAddress !== undefined) this.#failures.delete(oldestAddress);
    }
  }

  recordSuccess(address: string): void {
    this.#failures.delete(address);
  }

  #recent(address: string): number[] {
    const since = this.#options.now() - this.#options.windowMs;
    const list = (this.#failures.get(address) ?? []).filter((t) => t > since);
    return list.slice(-this.#options.maxFailures);
  }
}
