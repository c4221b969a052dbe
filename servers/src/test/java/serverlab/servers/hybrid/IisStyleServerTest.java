package serverlab.servers.hybrid;

import serverlab.servers.process.SupervisedContract;

class IisStyleServerTest extends SupervisedContract {

    @Override
    protected String name() {
        return IisStyleServer.NAME;
    }
}
