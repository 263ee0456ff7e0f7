/**
 * The account-level throttle as the data plane applies it: one token bucket for every API of
 * the account (per process in memory, or shared by every Portico on one Redis). Its limit is the
 * one Portico was started with (PorticoOptions.account.throttle, `--account-throttle`), else
 * AWS's default of 10,000 requests per second with bursts of 5,000. AWS's own API offers no way
 * to change it (UpdateAccount refuses `/throttleSettings`; AWS raises it through Service Quotas),
 * so it is fixed for the life of the process.
 */
import type { AccountThrottle } from '../model/settings.js';
import { ACCOUNT_DEFAULT_LIMIT, type BucketLimit } from './token-bucket.js';

export class AccountLimit {
  readonly bucket: BucketLimit;
  readonly throttle: AccountThrottle;

  constructor(options: { accountId: string; region: string; throttle?: AccountThrottle }) {
    this.throttle = options.throttle ?? { rateLimit: ACCOUNT_DEFAULT_LIMIT.rate, burstLimit: ACCOUNT_DEFAULT_LIMIT.burst };
    // One bucket per account and Region, as AWS counts it; Porticos sharing a Redis share it.
    this.bucket = Object.freeze({ key: `account:${options.accountId}:${options.region}`, rate: this.throttle.rateLimit, burst: this.throttle.burstLimit });
  }
}
