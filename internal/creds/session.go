package creds

import (
	"fmt"
	"strconv"
	"time"
)

// SessionKind says which STS call minted a session.
type SessionKind uint8

// Session kinds. The zero SessionKind is invalid and cannot be sealed.
const (
	AssumedRole SessionKind = iota + 1 // AssumeRole and its variants
	UserSession                        // GetSessionToken by an IAM user
	RootSession                        // GetSessionToken by the account root user
)

// String returns the kind's name.
func (k SessionKind) String() string {
	switch k {
	case AssumedRole:
		return "AssumedRole"
	case UserSession:
		return "UserSession"
	case RootSession:
		return "RootSession"
	}
	return "SessionKind(" + strconv.Itoa(int(k)) + ")"
}

func (k SessionKind) known() bool {
	return k >= AssumedRole && k <= RootSession
}

// Tag is a session tag.
type Tag struct {
	Key   string
	Value string
}

// Session is everything a temporary credential stands for. It travels
// sealed inside the session token, so the server keeps no STS state.
//
// Printing a Session with the fmt package redacts SecretAccessKey.
type Session struct {
	AccessKeyID       string      // ASIA...
	SecretAccessKey   string      // never logged; see Format
	Account           string      // account owning the principal (the role's, or the user's for GetSessionToken)
	Kind              SessionKind // which call minted the session
	RoleARN           string      // AssumedRole: arn:aws:iam::ACCOUNT:role/path/Name
	RoleID            string      // AssumedRole: AROA...
	SessionName       string      // AssumedRole: role session name
	UserARN           string      // UserSession, RootSession: the calling user
	UserID            string      // UserSession, RootSession: AIDA... or the account id for root
	SourceIdentity    string      // "" if none
	Tags              []Tag       // session tags
	TransitiveTagKeys []string    // keys of Tags that pass on through role chaining
	SessionPolicy     string      // inline session policy JSON, "" if none
	PolicyARNs        []string    // session managed policy ARNs
	MFA               bool        // the caller authenticated with MFA
	MFAAuthAt         time.Time   // when that MFA authentication happened (zero if unknown)
	Chained           bool        // minted by a role session (role chaining)
	Console           bool        // UserSession/RootSession: a console sign-in (password), which IAM accepts without MFA
	IssuedAt          time.Time
	Expires           time.Time
}

// printableSession has Session's fields but not its Format method.
type printableSession Session

// Format implements fmt.Formatter, printing the session like a plain struct
// with SecretAccessKey redacted so a logged session never leaks it.
func (s Session) Format(f fmt.State, verb rune) {
	p := printableSession(s)
	if p.SecretAccessKey != "" {
		p.SecretAccessKey = "REDACTED"
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), p)
}
