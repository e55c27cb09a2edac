package dev.hearth.pool;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random secrets and ids. */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** 32 hex characters (128 bits), the shape of Open Runtimes' runtime keys. */
    public static String newSecret() {
        return hex(16);
    }

    public static String hex(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }
}
