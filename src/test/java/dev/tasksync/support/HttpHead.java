package dev.tasksync.support;

import java.io.IOException;
import java.io.InputStream;

/** Reading an HTTP response head off a bare socket, for tests that speak HTTP by hand. */
public final class HttpHead {

    private HttpHead() {
    }

    /** The status line and headers up to the blank line (or what came before the stream ended). */
    public static String read(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
