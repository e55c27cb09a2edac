package dev.hearth.pool.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pod secret of each runtime pod, derived from the installation's key and the pod's name:
 * HMAC-SHA256(key, name), base64url. Every replica holding the key computes any pod's secret, so the secret never
 * has to be read back from the cluster: it travels into the pod through a Kubernetes Secret (referenced by
 * {@code secretKeyRef}), which the gateway creates but has no right to read, and appears in no pod spec, label or
 * annotation. Changing the key makes every existing pod unusable; they are replaced as they fail their first call.
 */
public final class PodSecrets {

    /** The key of the pod secret inside the pod's Kubernetes Secret. */
    public static final String SECRET_KEY = "runner-secret";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public PodSecrets(String installationKey) {
        if (installationKey == null || installationKey.isEmpty()) {
            throw new IllegalArgumentException("the key pod secrets are derived from must not be empty");
        }
        this.key = new SecretKeySpec(installationKey.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The secret of the pod (or Job) named {@code podName}. */
    public String secretOf(String podName) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            byte[] digest = mac.doFinal(("hearth-pod-secret:" + podName).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is part of every JRE", e);
        }
    }

    @Override
    public String toString() {
        return "PodSecrets[key=<redacted>]";
    }
}
