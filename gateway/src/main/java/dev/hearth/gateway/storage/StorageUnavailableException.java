package dev.hearth.gateway.storage;

/**
 * The device did not answer (connection refused, timed out, lost mid-stream), or answered with a failure of its
 * own rather than "no such object" (S3 5xx, access denied, no such bucket; a local I/O error). The message says
 * which, naming the device.
 */
public final class StorageUnavailableException extends StorageException {

    public StorageUnavailableException(String device, String path, String what, Throwable cause) {
        super(device, path, "The storage device " + device + " failed " + what + " '" + path + "': "
                + reason(cause), cause);
    }

    private static String reason(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
