/**
 * The replicas of one service behind the gateway (decision 28): requests go round-robin; a replica that refused a
 * connection is passed over for a short while, then tried again (it may have been restarted).
 */
export class Replicas {
  private next = 0;
  private readonly downUntil: number[];

  constructor(
    readonly urls: readonly URL[],
    private readonly passOverMs = 2000,
    private readonly now: () => number = Date.now,
  ) {
    if (urls.length === 0) throw new Error('a service needs at least one replica URL');
    this.downUntil = urls.map(() => 0);
  }

  /**
   * `MREG_REGISTRATION_URL=http://10.0.0.5:8081,http://10.0.0.6:8081`: one URL per replica, comma-separated; each an
   * http(s) origin. Throws naming the variable when one is not.
   */
  static parse(variable: string, value: string): Replicas {
    const urls = value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part) => {
        let url: URL;
        try {
          url = new URL(part);
        } catch {
          throw new Error(`${variable}: '${part}' is not a URL`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${variable}: '${part}' is not an http(s) URL`);
        return url;
      });
    if (urls.length === 0) throw new Error(`${variable}: no URL`);
    return new Replicas(urls);
  }

  /**
   * The replicas to try for one request, in order: each once, starting with the next in turn, those passed over
   * last (a request still gets an answer, or a clear error, when every replica is down).
   */
  order(): URL[] {
    const start = this.next;
    this.next = (this.next + 1) % this.urls.length;
    const turn = this.urls.map((_, i) => (start + i) % this.urls.length);
    const now = this.now();
    const up = turn.filter((i) => (this.downUntil[i] ?? 0) <= now);
    const down = turn.filter((i) => (this.downUntil[i] ?? 0) > now);
    return [...up, ...down].map((i) => this.urls[i]);
  }

  /** The replica at `url` refused a connection or reset it before answering. */
  passOver(url: URL): void {
    const i = this.urls.indexOf(url);
    if (i >= 0) this.downUntil[i] = this.now() + this.passOverMs;
  }
}
