package dev.lmuformer.io;


/**
 * A PyTorch checkpoint could not be read: a broken container, a malformed or forbidden pickle,
 * or tensors that do not fit their storages. The message is one line naming the file.
 */
public class PthFormatException extends FormatException {
    private static final long serialVersionUID = 1L;

    /** A problem with no underlying cause. */
    public PthFormatException(String message) {
        super(message);
    }

    /** A problem caused by another exception. */
    public PthFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
