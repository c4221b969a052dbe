package serverlab.servers.process;

class PreforkServerTest extends SupervisedContract {

    @Override
    protected String name() {
        return PreforkServer.NAME;
    }
}
