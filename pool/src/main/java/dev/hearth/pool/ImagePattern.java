package dev.hearth.pool;

import java.util.regex.Pattern;

/**
 * A glob over whole image references ({@code openruntimes/node:*}): {@code *} matches any run of characters but
 * {@code /} (so within the repository's last part or within the tag), {@code **} any run including {@code /},
 * {@code ?} one character but {@code /}; every other character stands for itself, case-sensitively, and the whole
 * reference must match. {@code openruntimes/node:*} matches {@code openruntimes/node:v5-22} but not
 * {@code openruntimes/python:v5-3.12}; {@code openruntimes/*} matches both; {@code **} matches every image.
 */
public final class ImagePattern {

    private final String glob;
    private final Pattern regex;

    private ImagePattern(String glob) {
        this.glob = glob;
        this.regex = Pattern.compile(toRegex(glob));
    }

    /** @throws IllegalArgumentException when {@code glob} is blank */
    public static ImagePattern of(String glob) {
        if (glob == null || glob.isBlank()) {
            throw new IllegalArgumentException("an image pattern must not be blank, but was '" + glob + "'");
        }
        return new ImagePattern(glob);
    }

    /** Whether {@code image} is a pattern rather than one image: it holds {@code *} or {@code ?}. */
    public static boolean isPattern(String image) {
        return image != null && (image.indexOf('*') >= 0 || image.indexOf('?') >= 0);
    }

    public boolean matches(String image) {
        return regex.matcher(image).matches();
    }

    public String glob() {
        return glob;
    }

    @Override
    public String toString() {
        return glob;
    }

    private static String toRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
