/**
 * Advisory lock keys (two-int form: bindrail's class id, then the object). They are per database,
 * so every process sharing the database takes the same lock.
 */
const BINDRAIL = 0x62726169; // 'brai'

/** Session lock held while migrations are applied. */
export const MIGRATE_LOCK = [BINDRAIL, 1] as const;
/** Transaction lock held from a ledger append to commit: seqs stay contiguous and the tree single. */
export const LEDGER_LOCK = [BINDRAIL, 2] as const;
/** Transaction lock held from an events append to commit: gseq grows in commit order. */
export const EVENTS_LOCK = [BINDRAIL, 3] as const;
