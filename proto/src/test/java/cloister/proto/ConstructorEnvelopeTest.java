package cloister.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import cloister.common.Hash;
import cloister.crypto.EcdhKey;
import cloister.crypto.HpkeException;
import cloister.proto.envelope.ConstructorEnvelope;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class ConstructorEnvelopeTest {
    @Test
    void argumentsOpenOnlyForTheirContractNetworkAndDeployer() throws Exception {
        Arbitrary arb = new Arbitrary(99);
        EcdhKey cluster = EcdhKey.generate(new SecureRandom());
        Hash genesis = arb.hash();
        ContractId contract = new ContractId(arb.hash());
        var deployer = arb.account();
        byte[] args = "reserve price 100".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = ConstructorEnvelope.seal(cluster.publicKey(), genesis, contract, deployer, args);
        assertArrayEquals(args, ConstructorEnvelope.open(cluster, genesis, contract, deployer, sealed));
        assertThrows(HpkeException.class, () -> ConstructorEnvelope.open(cluster, arb.hash(), contract, deployer, sealed));
        assertThrows(HpkeException.class, () -> ConstructorEnvelope.open(cluster, genesis, new ContractId(arb.hash()), deployer, sealed));
        assertThrows(HpkeException.class, () -> ConstructorEnvelope.open(cluster, genesis, contract, arb.account(), sealed));
        assertThrows(HpkeException.class, () -> ConstructorEnvelope.open(EcdhKey.generate(new SecureRandom()), genesis, contract, deployer, sealed));
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThrows(HpkeException.class, () -> ConstructorEnvelope.open(cluster, genesis, contract, deployer, tampered));
    }
}
