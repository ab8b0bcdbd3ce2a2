use proptest::prelude::*;

use super::*;

#[test]
fn encodes_as_t38_annex_a_per() {
    let mut udptl = Udptl::new(1);
    // First datagram: seq 0, the primary, secondary mode with no packets yet.
    assert_eq!(
        udptl.encode(&[0x00, 0x01]),
        [0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00]
    );
    // Then the previous packet rides along.
    assert_eq!(
        udptl.encode(&[0x00, 0x02]),
        [0x00, 0x01, 0x02, 0x00, 0x02, 0x00, 0x01, 0x02, 0x00, 0x01]
    );
}

#[test]
fn long_contents_take_two_length_octets_and_fragments() {
    let mut udptl = Udptl::new(0);
    let datagram = udptl.encode(&[7; 300]);
    assert_eq!(&datagram[2..4], [0x81, 0x2C]);
    let huge = vec![9; 2 * FRAGMENT + 5];
    let datagram = udptl.encode(&huge);
    assert_eq!(datagram[2], 0xC2);
    let mut rx = Udptl::new(0);
    assert_eq!(rx.decode(&datagram).unwrap(), [(1, huge)]);
}

#[test]
fn redundancy_fills_gaps_and_duplicates_are_ignored() {
    let mut tx = Udptl::new(3);
    let datagrams: Vec<Vec<u8>> = (0u8..8).map(|i| tx.encode(&[i])).collect();
    let mut rx = Udptl::new(3);
    assert_eq!(rx.decode(&datagrams[0]).unwrap(), [(0, vec![0])]);
    // 1, 2 and 3 lost: 4 carries 3, 2 and 1.
    assert_eq!(
        rx.decode(&datagrams[4]).unwrap(),
        [(1, vec![1]), (2, vec![2]), (3, vec![3]), (4, vec![4])]
    );
    // Late and repeated datagrams give nothing.
    assert!(rx.decode(&datagrams[2]).unwrap().is_empty());
    assert!(rx.decode(&datagrams[4]).unwrap().is_empty());
    // 5 and 6 lost, 7 carries both (and 4, already had).
    assert_eq!(
        rx.decode(&datagrams[7]).unwrap(),
        [(5, vec![5]), (6, vec![6]), (7, vec![7])]
    );
}

#[test]
fn a_gap_wider_than_the_redundancy_stays_a_gap() {
    let mut tx = Udptl::new(1);
    let datagrams: Vec<Vec<u8>> = (0u8..4).map(|i| tx.encode(&[i])).collect();
    let mut rx = Udptl::new(1);
    rx.decode(&datagrams[0]).unwrap();
    assert_eq!(
        rx.decode(&datagrams[3]).unwrap(),
        [(2, vec![2]), (3, vec![3])]
    );
}

#[test]
fn sequence_numbers_wrap() {
    let mut tx = Udptl::new(2);
    tx.tx_seq = 0xFFFE;
    let datagrams: Vec<Vec<u8>> = (0u8..4).map(|i| tx.encode(&[i])).collect();
    let mut rx = Udptl::new(2);
    assert_eq!(rx.decode(&datagrams[0]).unwrap(), [(0xFFFE, vec![0])]);
    assert_eq!(
        rx.decode(&datagrams[3]).unwrap(),
        [(0xFFFF, vec![1]), (0, vec![2]), (1, vec![3])]
    );
}

#[test]
fn fec_datagrams_give_their_primary() {
    // seq 5, primary [1 2], fec-info: npackets (len 1) 3, one FEC entry [0xAA].
    let datagram = [
        0x00, 0x05, 0x02, 0x01, 0x02, 0x80, 0x01, 0x03, 0x01, 0x01, 0xAA,
    ];
    let mut rx = Udptl::new(0);
    assert_eq!(rx.decode(&datagram).unwrap(), [(5, vec![1, 2])]);
}

#[test]
fn broken_datagrams_are_errors_and_change_nothing() {
    let mut rx = Udptl::new(0);
    assert!(matches!(
        rx.decode(&[]),
        Err(UdptlError::Truncated {
            field: "seq-number",
            ..
        })
    ));
    assert!(matches!(
        rx.decode(&[0, 1, 5, 1, 2]),
        Err(UdptlError::Truncated {
            field: "primary-ifp-packet",
            at: 3,
            needed: 3
        })
    ));
    assert!(matches!(
        rx.decode(&[0, 1, 1, 9, 0x42]),
        Err(UdptlError::Invalid {
            field: "error-recovery",
            ..
        })
    ));
    assert!(matches!(
        rx.decode(&[0, 1, 0xC5]),
        Err(UdptlError::Invalid {
            field: "primary-ifp-packet",
            ..
        })
    ));
    assert_eq!(rx.rx_next, None);
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut rx = Udptl::new(3);
        let _ = rx.decode(&bytes);
        let _ = rx.decode(&bytes);
    }

    /// Every packet arrives once, in order, when no more than `redundancy` datagrams in a
    /// row are lost and the last one arrives; with any losses, what arrives is in order,
    /// each once, and as sent.
    #[test]
    fn encode_decode_round_trips(
        packets in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 1..60),
        redundancy in 0usize..5,
        lost in proptest::collection::vec(any::<bool>(), 60),
        start in any::<u16>(),
    ) {
        let mut tx = Udptl::new(redundancy);
        tx.tx_seq = start;
        let mut rx = Udptl::new(redundancy);
        let mut got = Vec::new();
        let mut run = 0;
        let mut recoverable = true;
        for (i, packet) in packets.iter().enumerate() {
            let datagram = tx.encode(packet);
            let last = i + 1 == packets.len();
            if lost[i] && !last && i > 0 {
                run += 1;
                recoverable &= run <= redundancy;
                continue;
            }
            run = 0;
            got.extend(rx.decode(&datagram).unwrap());
        }
        let sent: Vec<(u16, Vec<u8>)> = packets
            .iter()
            .enumerate()
            .map(|(i, p)| (start.wrapping_add(i as u16), p.clone()))
            .collect();
        if recoverable {
            prop_assert_eq!(&got, &sent);
        }
        let offsets: Vec<u16> = got.iter().map(|(seq, _)| seq.wrapping_sub(start)).collect();
        prop_assert!(offsets.windows(2).all(|w| w[0] < w[1]));
        for (seq, ifp) in &got {
            prop_assert_eq!(ifp, &sent[usize::from(seq.wrapping_sub(start))].1);
        }
    }
}
