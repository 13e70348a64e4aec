package dev.lmuformer.io;

/**
 * A file could not be read or does not fit what it should hold. The message is one line that
 * names the file and the problem; callers may show it to users as it is.
 */
public class FormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A problem with no underlying cause. */
    public FormatException(String message) {
        super(message);
    }

    /** A problem caused by another exception (an I/O error, say). */
    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
