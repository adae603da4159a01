import java.io.IOException;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * Starts DynamoDB Local (same command-line options as DynamoDBLocal.jar) listening on 127.0.0.1 only,
 * and exits when standard input reaches end-of-file.
 *
 * DynamoDB Local has no option for its listen address: DynamoDBProxyServer builds a Jetty Server from
 * the port alone, which binds every interface. This launcher builds the same server through
 * ServerRunner, sets the host of its (not yet started) connector to loopback, then starts it.
 *
 * The parent (Node) keeps the write end of this process's stdin pipe. When the parent exits for any
 * reason, including SIGKILL, the kernel closes that end, read() returns -1, and the JVM halts: no
 * orphaned Java. Telemetry is never configured, so none is sent.
 */
public final class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    Thread watchdog = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is ever written; only end-of-file matters.
        }
      } catch (IOException ignored) {
        // A broken pipe means the parent is gone too.
      }
      // halt, not exit: nothing to flush (SQLite commits every write), and shutdown hooks could hang.
      Runtime.getRuntime().halt(0);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();

    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    for (Connector connector : server.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    // safeStart, unlike start, does not swallow a failed bind: the parent sees the exit and the message.
    proxy.safeStart();
    System.out.println("DynamoDB Local listening on 127.0.0.1");
    proxy.join();
  }
}
