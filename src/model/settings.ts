/**
 * Account-wide settings every module reads: the account and region ARNs are built from.
 */

export interface AccountSettings {
  /** 12 digits; AWS's local-emulator convention `000000000000` by default. */
  accountId: string;
  region: string;
}

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = {
  accountId: '000000000000',
  region: 'us-east-1',
};
