// undici's Pool and `request` by their own module paths (see app/access-point/client.ts).
declare module 'undici/lib/dispatcher/pool' {
  import type { Pool } from 'undici';
  const PoolClass: typeof Pool;
  export default PoolClass;
}
declare module 'undici/lib/api/api-request' {
  import type { Dispatcher } from 'undici';
  /** `Dispatcher.prototype.request` as undici's index installs it: call it with the dispatcher as `this`. */
  function request(
    this: Dispatcher,
    options: Dispatcher.RequestOptions,
  ): Promise<Dispatcher.ResponseData>;
  export default request;
}
