/**
 * Account-wide settings every module reads: the account and region ARNs are built from, and
 * the account-level throttle the data plane starts from.
 */

/** An account-level throttle: steady requests per second and the bucket's capacity. */
export interface AccountThrottle {
  rateLimit: number;
  burstLimit: number;
}

export interface AccountSettings {
  /** 12 digits; AWS's local-emulator convention `000000000000` by default. */
  accountId: string;
  region: string;
  /** The account-level throttle; absent means AWS's default of 10,000 requests per second, burst 5,000. */
  throttle?: AccountThrottle;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  accountId: '000000000000',
  region: 'us-east-1',
};

/** The id of the one account record (RECORD_KINDS.account) GetAccount and UpdateAccount keep. */
export const ACCOUNT_RECORD_ID = 'account';

