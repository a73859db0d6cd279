// Raised when the embedded database's DATA_DIR is held by another process; its own module
// so that importing it does not load PGlite.
export class DataDirBusyError extends Error {}
