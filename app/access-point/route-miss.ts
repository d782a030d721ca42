/**
 * A provider URL that reaches the provider's server but not its API (a path left out, say) may be
 * answered in the provider's own error words all the same: a 404 with `{error: {code:
 * "NOT_FOUND", …}}` to every address, which reads like the documented 404 of a buyer not on
 * Peppol. Every invoice was then said to go to a buyer "not registered on the Peppol network"
 * (found with the built-in Sandbox at its port without `/peppol-api`). A web server's own 404
 * (HTML, no body) is told apart already (NO_SUCH_ADDRESS, walk 9); this tells the rest apart by
 * the version call, which the provider documents: a 404 to it is an address the URL does not
 * have, and a later 404 in the same error code is taken as that too: "no such address", which
 * holds sending and says to check the URL, instead of a verdict about a buyer.
 */
import { NO_SUCH_ADDRESS, type ApError } from './answers';

export class RouteMiss {
  /**
   * Whether the address ever answered as an access point: a 2xx that is no web page, or an error
   * that is not "no such address". Waiting documents of an address that never did cannot have
   * reached an access point there (a provider URL corrected: app/engine/connection.ts).
   */
  answered = false;
  /** Whether it answered "no such address" (a 404 or a web page), its version call included. */
  missed = false;
  /** Whether a request found nothing to connect to there (refused, no such host). */
  unreached = false;

  /** It answered "no such address" and never as an access point. */
  get ledNowhere(): boolean {
    return this.missed && !this.answered;
  }

  /** Nothing there ever answered as an access point: "no such address", or no connection. */
  get neverAnswered(): boolean {
    return (this.missed || this.unreached) && !this.answered;
  }

  /** The error code of the version call's 404 in the provider's words; null: none seen. */
  private code: string | null = null;
  /** The version call under way: a 404 meanwhile waits for its answer before it is read. */
  private asking: Promise<unknown> | null = null;

  /**
   * Follow a version call, for the 404s answered meanwhile: its own 404 names the code of a route
   * miss (versionMissed); an answer forgets it.
   */
  watch(version: Promise<{ kind: string }>): void {
    const asking = version.then(
      (outcome) => {
        if (outcome.kind === 'ok') this.code = null;
      },
      () => undefined,
    );
    this.asking = asking;
    void asking.then(() => {
      if (this.asking === asking) this.asking = null;
    });
  }

  /**
   * `error` as it is, or as "no such address" when it is a 404 in the version call's code (not
   * for the version call's own answer, `version`).
   */
  async read(error: ApError, version = false): Promise<ApError> {
    const read = version ? this.versionMissed(error) : await this.mapped(error);
    if (read.code === NO_SUCH_ADDRESS) this.missed = true;
    else this.answered = true;
    return read;
  }

  /**
   * The version call's 404 in the provider's words names the code of a route miss, and is itself
   * "no such address" (as a web server's 404 is): a probe that meets it keeps the hold instead of
   * ending it (CI run 158: the hold flapped to Online at the first probe).
   */
  private versionMissed(error: ApError): ApError {
    if (error.status !== 404 || error.code === NO_SUCH_ADDRESS) return error;
    this.code = error.code;
    return {
      ...error,
      code: NO_SUCH_ADDRESS,
      message: `Not found (404): the access point has no version address here (${error.code}: ${error.message.slice(0, 120)})`,
    };
  }

  private async mapped(error: ApError): Promise<ApError> {
    if (error.status !== 404 || error.code === NO_SUCH_ADDRESS) return error;
    if (this.asking) await this.asking;
    if (this.code === null || error.code !== this.code) return error;
    return {
      ...error,
      code: NO_SUCH_ADDRESS,
      message: `Not found (404), as the access point's version address is: the provider URL has no such address (${error.code}: ${error.message.slice(0, 120)})`,
    };
  }
}
