package access

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
)

// joined joins n copies of format, each given its index.
func joined(format string, n int) string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprintf(format, i)
	}
	return strings.Join(v, ",")
}

// policyShapes are documents that stress each part of a compiled policy;
// unique(i) makes every copy distinct, as an attacker's would be.
var policyShapes = map[string]func(i int) string{
	"actions": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":"*","Action":[%s],"Resource":"*"}]}`, i, joined(`"s3:G%d"`, 2000))
	},
	"resources": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":[%s]}]}`, i, joined(`"arn:aws:s3:::b/%d*"`, 1000))
	},
	"resource variables": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":[%s]}]}`, i, joined(`"arn:aws:s3:::b/${aws:username}/%d/*"`, 500))
	},
	"accounts": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":{"AWS":[%s]},"Action":"s3:*","Resource":"*"}]}`, i, joined(`"%012d"`, 1000))
	},
	"principal ARNs": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":{"AWS":[%s]},"Action":"s3:*","Resource":"*"}]}`, i, joined(`"arn:aws:iam::111111111111:user/u%d"`, 500))
	},
	"condition values": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringLike":{"s3:prefix":[%s]}}}]}`, i, joined(`"%d*"`, 2500))
	},
	"ARN conditions": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":[%s]}}}]}`, i, joined(`"arn:aws:iam::*:role/r%d*"`, 500))
	},
	"IP conditions": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":[%s]}}}]}`, i, joined(`"10.0.%d.0/24"`, 255))
	},
	"statements": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[%s]}`, i, joined(`{"Sid":"S%d","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}`, 300))
	},
	"condition keys": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{%s}}}]}`, i, joined(`"aws:PrincipalTag/k%d":"v"`, 600))
	},
	"small": func(i int) string {
		return fmt.Sprintf(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}}`, i)
	},
}

// compiledSize measures the heap that n compiled copies of a shape keep,
// per copy, documents included.
func compiledSize(t *testing.T, mk func(int) string, n int) (measured, estimated int) {
	t.Helper()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	docs := make([]string, n)
	ps := make([]*policy.Policy, n)
	for i := range docs {
		docs[i] = mk(i)
		p, err := policy.ParseWithOptions(docs[i], policy.Resource, policy.Options{MaxSize: 1 << 20})
		if err != nil {
			t.Fatalf("%s: %v", docs[i][:60], err)
		}
		ps[i] = p
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	runtime.KeepAlive(ps)
	runtime.KeepAlive(docs)
	for _, d := range docs {
		estimated += footprint(d)
	}
	return int(m1.HeapAlloc-m0.HeapAlloc) / n, estimated / n
}

// The estimate must not undercount what a compiled policy really keeps
// (else the cache's byte budget would not bound memory), and should not
// overcount it grossly (else the cache would hold little).
func TestFootprintBoundsCompiledSize(t *testing.T) {
	for name, mk := range policyShapes {
		measured, estimated := compiledSize(t, mk, 40)
		t.Logf("%-18s measured %7d B, estimated %7d B (%.1fx)", name, measured, estimated, float64(estimated)/float64(measured))
		if estimated < measured {
			t.Errorf("%s: estimated %d B, but a compiled copy keeps %d B", name, estimated, measured)
		}
		if estimated > 8*measured {
			t.Errorf("%s: estimated %d B, more than 8 times the %d B it keeps", name, estimated, measured)
		}
	}
}
