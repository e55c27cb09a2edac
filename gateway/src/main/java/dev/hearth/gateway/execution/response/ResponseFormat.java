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
        // Walked item by item rather than split(", "): a two-character separator compiles a regex per call.
        int start = 0;
        while (start <= acceptHeader.length()) {
            if (acceptHeader.startsWith("application/json", start) || acceptHeader.startsWith("application/*", start)) {
                return JSON;
            }
            int next = acceptHeader.indexOf(", ", start);
            if (next < 0) {
                return MULTIPART;
            }
            start = next + 2;
        }
        return MULTIPART;
    }
}
