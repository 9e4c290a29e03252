package blob

import (
	"encoding/binary"
	"hash"
	"hash/crc64"
)

// hash/crc64 has slicing-by-8 tables only for its ISO and ECMA polynomials;
// for any other table it rebuilds a 16 KiB slicing table on every write of
// 2 KiB or more (BenchmarkCRC64NVME: 4 KiB writes take 1.6x as long).
// CRC-64/NVME is every new object's default checksum, so its tables are
// built once here.
var crc64NVMESlicing = makeSlicing8(crc64NVMETable)

func makeSlicing8(t *crc64.Table) *[8]crc64.Table {
	var s [8]crc64.Table
	s[0] = *t
	for i := range 256 {
		crc := t[i]
		for j := 1; j < 8; j++ {
			crc = t[crc&0xff] ^ (crc >> 8)
			s[j][i] = crc
		}
	}
	return &s
}

// UpdateCRC64NVME returns the CRC-64/NVME of the data crc stood for
// followed by p (crc64.Update's contract, with the NVME polynomial).
func UpdateCRC64NVME(crc uint64, p []byte) uint64 {
	s := crc64NVMESlicing
	crc = ^crc
	for len(p) > 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = s[7][crc&0xff] ^ s[6][crc>>8&0xff] ^ s[5][crc>>16&0xff] ^ s[4][crc>>24&0xff] ^
			s[3][crc>>32&0xff] ^ s[2][crc>>40&0xff] ^ s[1][crc>>48&0xff] ^ s[0][crc>>56]
		p = p[8:]
	}
	for _, v := range p {
		crc = s[0][byte(crc)^v] ^ (crc >> 8)
	}
	return ^crc
}

// crc64NVME is a hash.Hash64 over UpdateCRC64NVME.
type crc64NVME struct{ crc uint64 }

func newCRC64NVME() hash.Hash64 { return &crc64NVME{} }

func (d *crc64NVME) Write(p []byte) (int, error) {
	d.crc = UpdateCRC64NVME(d.crc, p)
	return len(p), nil
}
func (d *crc64NVME) Sum64() uint64  { return d.crc }
func (d *crc64NVME) Reset()         { d.crc = 0 }
func (d *crc64NVME) Size() int      { return 8 }
func (d *crc64NVME) BlockSize() int { return 1 }
func (d *crc64NVME) Sum(b []byte) []byte {
	return binary.BigEndian.AppendUint64(b, d.crc)
}
