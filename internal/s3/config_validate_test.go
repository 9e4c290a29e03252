package s3

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
)

// FuzzConfigValidate: no configuration document, however malformed,
// makes a validator or canonicalXML panic, and what a validator accepts
// can be stored (canonicalXML succeeds) and validates again once stored.
func FuzzConfigValidate(f *testing.F) {
	for _, seed := range []string{
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
		`<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`,
		`<LifecycleConfiguration><Rule><ID>a</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`,
		`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
		`<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>`,
		`<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument></WebsiteConfiguration>`,
		`<NotificationConfiguration><QueueConfiguration><Queue>arn</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`,
		`<ReplicationConfiguration><Role>r</Role><Rule><Status>Enabled</Status><Destination><Bucket>arn:aws:s3:::d</Bucket></Destination></Rule></ReplicationConfiguration>`,
		`<a xmlns:x="u" x:b="c"><x:d>e</x:d></a>`, `<`, ``,
	} {
		f.Add(seed)
	}
	b := store.Bucket{Name: "fuzz-bucket", Account: "111111111111", Region: "us-east-1"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, c := range bucketConfigs {
			if c == loggingConfig { // looks its target bucket up: covered by the SDK tests
				continue
			}
			if checkRoot([]byte(body), c.root) != nil {
				continue
			}
			if _, e := c.validate(nil, nil, b, []byte(body)); e != nil {
				if e.Status != 400 {
					t.Fatalf("%s: %d %s for %q", c.op, e.Status, e.Code, body)
				}
				continue
			}
			doc, err := canonicalXML([]byte(body))
			if err != nil {
				t.Fatalf("%s accepted %q, which does not re-encode: %v", c.op, body, err)
			}
			if _, e := c.validate(nil, nil, b, []byte(doc)); e != nil && !strings.Contains(body, "xmlns") {
				t.Fatalf("%s accepted %q but not its stored form %q: %s", c.op, body, doc, e.Code)
			}
		}
	})
}
