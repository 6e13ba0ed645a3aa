package dev.hymt4j.serve;

/**
 * A request the server refuses, with the HTTP status and OpenAI's error fields ({@code type}, {@code code},
 * {@code param}). LibreTranslate routes render only the message, as LibreTranslate does.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String code;
    private final String param;

    public ApiException(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400 about one request field. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", "invalid_value", param, message);
    }

    /** 400 for a request over one of the server's limits; the message names the limit and its option. */
    public static ApiException overLimit(String param, String message) {
        return new ApiException(400, "invalid_request_error", "limit_exceeded", param, message);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "authentication_error", "invalid_api_key", null, message);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, "not_found_error", code, null, message);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "unavailable_error", "unavailable", null, message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public String param() {
        return param;
    }
}
