package blob

import (
	"encoding/binary"
	"testing"
)

// TestCheckValues checks each algorithm against its catalogued check value,
// the checksum of "123456789".
func TestCheckValues(t *testing.T) {
	for a, want := range map[Algorithm]uint64{
		CRC32:     0xcbf43926,
		CRC32C:    0xe3069283,
		CRC64NVME: 0xae8b14860a799888,
	} {
		h := a.NewHash()
		h.Write([]byte("123456789"))
		sum := h.Sum(nil)
		var got uint64
		if len(sum) == 4 {
			got = uint64(binary.BigEndian.Uint32(sum))
		} else {
			got = binary.BigEndian.Uint64(sum)
		}
		if got != want {
			t.Errorf("%s(123456789) = %#x, want %#x", a, got, want)
		}
	}
}

// TestCRC64NVMELongInput covers crc64's slicing path (inputs of 2 KiB and
// more) against byte-at-a-time updates.
func TestCRC64NVMELongInput(t *testing.T) {
	data := randomBytes(9, 100_000)
	whole := CRC64NVME.NewHash()
	whole.Write(data)
	bytewise := CRC64NVME.NewHash()
	for i := range data {
		bytewise.Write(data[i : i+1])
	}
	if string(whole.Sum(nil)) != string(bytewise.Sum(nil)) {
		t.Fatal("CRC64NVME differs between one write and byte writes")
	}
}

func TestParseAlgorithm(t *testing.T) {
	if a, ok := ParseAlgorithm("crc64nvme"); !ok || a != CRC64NVME {
		t.Fatalf("ParseAlgorithm(crc64nvme) = %q, %v", a, ok)
	}
	if _, ok := ParseAlgorithm("md5"); ok {
		t.Fatal("md5 is not an S3 checksum algorithm")
	}
}

func TestOnlyRequestedDigests(t *testing.T) {
	d := newDigester(true, nil).digests()
	if len(d.Sums) != 0 || d.MD5 == nil {
		t.Fatalf("digests without requests: %+v", d)
	}
	if newDigester(false, nil).hashes() {
		t.Fatal("a digester with nothing to compute hashes")
	}
}
