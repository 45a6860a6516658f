/** Why a whole file could not be used. */
export type FileErrorKind =
  /** The header matches no known waiting-list shape (long or wide), or there is no header line at all. */
  | "unknown-header"
  /** The file says it is one list by its name and the other by its columns. */
  | "list-conflict"
  /** The file could not be opened, decompressed or read to the end. */
  | "unreadable-file";

/**
 * A file-level error: the file, what its header said, and what was left out because of it. The run stops on one
 * unless the user passes the flag to skip such files, and then the report and the last printed lines state them.
 */
export interface FileError {
  readonly file: string;
  readonly kind: FileErrorKind;
  /** The header cells as read (non-printable characters shown as "?"); absent when no header line was read. */
  readonly header?: readonly string[];
  /** A short plain-English reason, without the file name. */
  readonly reason: string;
  /** Data rows (non-blank lines after the header) not read; null when the file could not be read far enough. */
  readonly rowsNotRead: number | null;
  /**
   * Sum of the file's count column (Total or one of its other names) over the rows not read, where such a column
   * could be recognised; null when it could not, or the file was not read to the end.
   */
  readonly patientsNotRead: number | null;
}
