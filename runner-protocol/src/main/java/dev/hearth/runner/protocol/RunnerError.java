package dev.hearth.runner.protocol;

/**
 * Body of every non-2xx runner response: a stable machine code and a human message.
 * Codes: {@code unauthorized} (401), {@code unsupported_protocol} (400), {@code bad_request} (400),
 * {@code bad_archive} (400), {@code stale_token} (409), {@code already_specialized} (409),
 * {@code not_specialized} (409), {@code start_failed} (502), {@code busy} (503), {@code internal} (500).
 */
public record RunnerError(String error, String message) {
}
