package serverlab.servers.hybrid;

import serverlab.servers.ServerOptions;
import serverlab.servers.process.SupervisedContract;

/** nginx-style whose workers inherit the master's listening socket, as nginx's do without {@code reuseport}. */
class SharedNginxStyleTest extends SupervisedContract {

    @Override
    protected String name() {
        return NginxStyleServer.NAME;
    }

    @Override
    protected ServerOptions options() {
        return super.options().withListener(ServerOptions.SHARED);
    }
}
