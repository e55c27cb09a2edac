package dev.hearth.gateway.api.params;

import dev.hearth.gateway.api.error.ErrorType;
import dev.hearth.gateway.api.error.ExecutorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The execution {@code headers} param: {@code AnyOf(Text(65535), Assoc)}, a JSON string decoded,
 * which must end up an object (else 400 execution_bad_request, as upstream). A list value is a
 * repeated header; other values are {@code strval}'d. Stateless.
 */
final class ExecutionHeadersParam {

    static final String NOT_AN_OBJECT = "Invalid `headers` param: headers must be a JSON object.";

    private ExecutionHeadersParam() {
    }

    static Map<String, List<String>> read(Params params) {
        Object raw = params.raw("headers");
        if (raw instanceof String s) {
            Validators.text("headers", s, 65_535, 0);
        } else if (raw != null && !(raw instanceof Map<?, ?>) && !(raw instanceof List<?> list && list.isEmpty())) {
            throw new ExecutorException(ErrorType.EXECUTION_BAD_REQUEST, NOT_AN_OBJECT);
        }
        Map<String, Object> decoded;
        try {
            decoded = params.assoc("headers");
        } catch (ExecutorException e) {
            throw new ExecutorException(ErrorType.EXECUTION_BAD_REQUEST, NOT_AN_OBJECT, e);
        }
        return multiValued(decoded);
    }

    private static Map<String, List<String>> multiValued(Map<String, Object> decoded) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        decoded.forEach((name, value) -> {
            if (value == null) {
                return;
            }
            List<String> values = new ArrayList<>();
            if (value instanceof List<?> list) {
                list.forEach(item -> values.add(PhpValues.strval(item)));
            } else {
                values.add(PhpValues.strval(value));
            }
            headers.put(name, List.copyOf(values));
        });
        return headers;
    }
}
