package dev.hearth.runner.archive;

/** The archive is unsafe or invalid; whatever was extracted from it has been deleted. */
public final class ArchiveRejectedException extends Exception {

    public ArchiveRejectedException(String message) {
        super(message);
    }

    public ArchiveRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
