package dev.hearth.gateway.execution.response;

/** The two encodings of an execution result (§1.6). */
public enum ResponseFormat {

    JSON,
    MULTIPART;

    /**
     * Upstream's choice, quirks included: a missing header means multipart; the header is split on
     * ", " exactly (so {@code text/plain,application/json} is multipart); JSON wins when any item
     * starts with {@code application/json} or {@code application/*}. {@code *}{@code /*} is multipart.
     */
    public static ResponseFormat choose(String acceptHeader) {
        if (acceptHeader == null || acceptHeader.isEmpty()) {
            return MULTIPART;
        }
        for (String item : acceptHeader.split(", ")) {
            if (item.startsWith("application/json") || item.startsWith("application/*")) {
                return JSON;
            }
        }
        return MULTIPART;
    }
}
