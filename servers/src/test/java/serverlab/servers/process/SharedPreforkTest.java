package serverlab.servers.process;

import serverlab.servers.ServerOptions;

/** Prefork whose workers inherit the master's listening socket, as Apache's do: the whole contract, and {@link SharedListenerTest}. */
class SharedPreforkTest extends SupervisedContract {

    @Override
    protected String name() {
        return PreforkServer.NAME;
    }

    @Override
    protected ServerOptions options() {
        return super.options().withListener(ServerOptions.SHARED);
    }
}
