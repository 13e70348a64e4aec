package dev.lmuformer.audio;

import dev.lmuformer.io.FormatException;

/**
 * Audio input that cannot be decoded: not a RIFF/WAVE file, an unsupported encoding, a corrupt or
 * truncated chunk, or an I/O error. The message is one line naming the source and the problem.
 */
public class AudioFormatException extends FormatException {
    private static final long serialVersionUID = 1L;

    /** A problem with no underlying cause. */
    public AudioFormatException(String message) {
        super(message);
    }

    /** A problem caused by another exception (an I/O error, say). */
    public AudioFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
