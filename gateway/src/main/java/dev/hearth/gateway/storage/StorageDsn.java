package dev.hearth.gateway.storage;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Open Runtimes' storage DSN ({@code OPR_EXECUTOR_CONNECTION_STORAGE}, EX {@code StorageFactory.php}), parsed.
 *
 * <ul>
 * <li>{@code local://…}, {@code file://…}: the local device; host and path are ignored, as upstream ignores them
 *     (the root is {@code hearth.storage-root}).
 * <li>{@code s3://key:secret@host/bucket?region=r&url=<urlencoded endpoint>&insecure=true}: the endpoint is
 *     {@code url} if given, else {@code https://host} ({@code http://} with {@code insecure=true}), else AWS itself;
 *     path-style addressing for an endpoint. The bucket is the DSN's path; upstream instead expects it inside
 *     {@code url} ({@code http://minio:9000/bucket}), so with no DSN path the first segment of {@code url}'s path is
 *     the bucket.
 * <li>{@code dospaces://}, {@code backblaze://}, {@code linode://}, {@code wasabi://} {@code key:secret@/bucket?region=r}:
 *     the provider's S3 endpoint for the region, as upstream's devices build it ({@code https://r.digitaloceanspaces.com},
 *     {@code https://s3.r.backblazeb2.com}, {@code https://r.linodeobjects.com}, {@code https://s3.r.wasabisys.com}),
 *     virtual-hosted addressing; host ignored, region required.
 * </ul>
 *
 * Key and secret are percent-decoded ({@code +} stays {@code +}). Any other scheme, and any malformed DSN, is an
 * {@link IllegalArgumentException} naming {@value #KEY}; upstream silently falls back to the local device instead.
 * Messages name no part of the DSN but its scheme; {@link #toString()} shows scheme, bucket, region and the
 * endpoint's host, never the key or the secret.
 *
 * @param device    the device it names
 * @param scheme    its scheme, lower case
 * @param endpoint  the S3 endpoint; {@code null} for AWS or the local device
 * @param region    the S3 region ({@code us-east-1} when not given); {@code ""} for the local device
 * @param bucket    the bucket; {@code ""} for the local device
 * @param pathStyle whether the endpoint is addressed path-style
 * @param accessKey the access key, {@code ""} for none
 * @param secretKey the secret key, {@code ""} for none; never printed
 */
public record StorageDsn(StorageDevice device, String scheme, URI endpoint, String region, String bucket,
                         boolean pathStyle, String accessKey, String secretKey) {

    /** How errors name the setting. */
    public static final String KEY = "hearth.storage.dsn (OPR_EXECUTOR_CONNECTION_STORAGE)";

    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]*");
    private static final String DEFAULT_REGION = "us-east-1";

    /** Parses {@code dsn}. */
    public static StorageDsn parse(String dsn) {
        int separator = dsn == null ? -1 : dsn.indexOf("://");
        if (separator < 0) {
            throw new IllegalArgumentException(KEY + " is not a DSN: expected scheme://[key:secret@]host/bucket?params");
        }
        String scheme = dsn.substring(0, separator).trim().toLowerCase(Locale.ROOT);
        if (!SCHEME.matcher(scheme).matches()) {
            throw new IllegalArgumentException(KEY + " does not start with a valid scheme");
        }
        Parts parts = Parts.of(dsn.substring(separator + 3));
        return switch (scheme) {
            case "local", "file" -> new StorageDsn(StorageDevice.LOCAL, scheme, null, "", "", false, "", "");
            case "s3" -> s3(parts);
            case "dospaces" -> provider(scheme, parts, "https://%s.digitaloceanspaces.com");
            case "backblaze" -> provider(scheme, parts, "https://s3.%s.backblazeb2.com");
            case "linode" -> provider(scheme, parts, "https://%s.linodeobjects.com");
            case "wasabi" -> provider(scheme, parts, "https://s3.%s.wasabisys.com");
            default -> throw new IllegalArgumentException(KEY + " names an unknown storage scheme '" + scheme
                    + "': expected local, file, s3, dospaces, backblaze, linode or wasabi");
        };
    }

    @Override
    public String toString() {
        String where = endpoint == null ? "" : ", endpoint=" + endpoint.getScheme() + "://" + endpoint.getHost()
                + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort());
        return "StorageDsn[" + scheme + (device == StorageDevice.S3 ? ", bucket=" + bucket + ", region=" + region : "")
                + where + ", credentials=" + (accessKey.isEmpty() ? "<none>" : "<redacted>") + "]";
    }

    private static StorageDsn s3(Parts parts) {
        String url = parts.param("url");
        String bucket = parts.bucket();
        URI endpoint = null;
        if (!url.isEmpty()) {
            URI given = httpUri(url, "its url parameter");
            String urlPath = given.getPath() == null ? "" : given.getPath().replaceAll("^/+|/+$", "");
            if (bucket.isEmpty() && !urlPath.isEmpty()) {
                bucket = urlPath.split("/")[0];
                given = httpUri(given.getScheme() + "://" + given.getRawAuthority(), "its url parameter");
            }
            endpoint = given;
        } else if (!parts.host().isEmpty()) {
            boolean insecure = "true".equals(parts.param("insecure"));
            endpoint = httpUri((insecure ? "http://" : "https://") + parts.host(), "its host");
        }
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException(KEY + " names no bucket: expected s3://key:secret@host/bucket");
        }
        return new StorageDsn(StorageDevice.S3, "s3", endpoint, parts.region(DEFAULT_REGION), bucket,
                endpoint != null, parts.user(), parts.password());
    }

    private static StorageDsn provider(String scheme, Parts parts, String endpointFormat) {
        String region = parts.region("");
        if (!region.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException(KEY + " needs a region parameter for " + scheme
                    + ": expected " + scheme + "://key:secret@/bucket?region=<region>");
        }
        if (parts.bucket().isEmpty()) {
            throw new IllegalArgumentException(KEY + " names no bucket: expected " + scheme
                    + "://key:secret@/bucket?region=<region>");
        }
        URI endpoint = httpUri(String.format(endpointFormat, region), "its region");
        return new StorageDsn(StorageDevice.S3, scheme, endpoint, region, parts.bucket(), false, parts.user(),
                parts.password());
    }

    private static URI httpUri(String text, String what) {
        try {
            URI uri = new URI(text);
            if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                throw new URISyntaxException("", "");
            }
            return uri;
        } catch (URISyntaxException e) {
            // The URISyntaxException would quote the text: it is dropped, not chained.
            throw new IllegalArgumentException(KEY + " has an endpoint that is not an http(s) URL with a host, "
                    + "built from " + what);
        }
    }

    /** The DSN after {@code scheme://}: userinfo up to its last {@code @}, host, path, query. */
    private record Parts(String userInfo, String host, String path, Map<String, String> params) {

        static Parts of(String rest) {
            int at = rest.lastIndexOf('@');
            String userInfo = at < 0 ? "" : rest.substring(0, at);
            String location = rest.substring(at + 1);
            int query = location.indexOf('?');
            String params = query < 0 ? "" : location.substring(query + 1);
            String hostAndPath = query < 0 ? location : location.substring(0, query);
            int slash = hostAndPath.indexOf('/');
            String host = slash < 0 ? hostAndPath : hostAndPath.substring(0, slash);
            String path = slash < 0 ? "" : hostAndPath.substring(slash);
            return new Parts(userInfo, host, path, params(params));
        }

        String user() {
            int colon = userInfo.indexOf(':');
            return decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "its key");
        }

        String password() {
            int colon = userInfo.indexOf(':');
            return colon < 0 ? "" : decode(userInfo.substring(colon + 1), "its secret");
        }

        String bucket() {
            return decode(path.replaceAll("^/+|/+$", ""), "its bucket");
        }

        String param(String name) {
            return params.getOrDefault(name, "");
        }

        String region(String otherwise) {
            String region = param("region");
            return region.isEmpty() ? otherwise : region;
        }

        private static Map<String, String> params(String query) {
            Map<String, String> params = new HashMap<>();
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                if (!pair.isEmpty()) {
                    params.put(decode(equals < 0 ? pair : pair.substring(0, equals), "a parameter name"),
                            equals < 0 ? "" : decode(pair.substring(equals + 1), "a parameter"));
                }
            }
            return params;
        }
    }

    /** Percent-decoding that keeps {@code +} (secrets contain it) and never quotes its input in an error. */
    private static String decode(String text, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int value = i + 2 < text.length() ? hex(text.charAt(i + 1)) << 4 | hex(text.charAt(i + 2)) : -1;
            if (value < 0) {
                throw new IllegalArgumentException(KEY + " has a malformed percent-escape in " + what);
            }
            bytes.write(value);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        int digit = Character.digit(c, 16);
        return digit < 0 ? -256 : digit;
    }
}
