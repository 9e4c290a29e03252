package iam

import (
	"context"
	"encoding/xml"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// The user credentials Sekisho does not issue (CodeCommit SSH keys, X.509
// signing certificates, service-specific credentials) can still be listed:
// every user has none, as every account has no server certificate. Tools
// clean a user up through these lists before DeleteUser (terraform's
// aws_iam_user with force_destroy calls all three), so an unknown action
// would fail them where AWS answers an empty list.
func (s *Service) credentialOperations() map[string]operation {
	return map[string]operation{
		"ListSSHPublicKeys":              s.listNone(maxUserName, sshPublicKeysResult),
		"ListSigningCertificates":        s.listNone(maxLookupName, signingCertificatesResult),
		"ListServiceSpecificCredentials": s.listNone(maxUserName, serviceCredentialsResult),
		"ListServerCertificates":         s.listServerCertificates,
	}
}

// none is an always-empty list of some credential's metadata.
type none struct{}

type listSSHPublicKeysResult struct {
	XMLName       xml.Name      `xml:"ListSSHPublicKeysResult"`
	SSHPublicKeys members[none] `xml:"SSHPublicKeys"`
	pageXML
}

type listSigningCertificatesResult struct {
	XMLName      xml.Name      `xml:"ListSigningCertificatesResult"`
	Certificates members[none] `xml:"Certificates"`
	pageXML
}

type listServiceSpecificCredentialsResult struct {
	XMLName                    xml.Name      `xml:"ListServiceSpecificCredentialsResult"`
	ServiceSpecificCredentials members[none] `xml:"ServiceSpecificCredentials"`
	pageXML
}

func sshPublicKeysResult() any { return listSSHPublicKeysResult{} }

func signingCertificatesResult() any { return listSigningCertificatesResult{} }

func serviceCredentialsResult() any { return listServiceSpecificCredentialsResult{} }

// listNone serves a List call over credentials no user has: it validates
// UserName (the caller when absent, as for access keys) and paging,
// authorizes the call on the user, makes sure the user exists and answers
// the empty result.
func (s *Service) listNone(maxName int, empty func() any) operation {
	return func(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
		in := newInput(call.Params)
		name := in.optionalName("UserName", maxName)
		in.pageRequest()
		if e := in.err(); e != nil {
			return nil, e
		}
		owner, e := s.authorizedKeyOwner(ctx, call, name)
		if e != nil {
			return nil, e
		}
		err := s.store.View(ctx, func(tx store.Tx) error {
			_, err := checkOwner(tx, owner)
			return err
		})
		if e := s.txError(err); e != nil {
			return nil, e
		}
		return empty(), nil
	}
}

type listServerCertificatesResult struct {
	XMLName                       xml.Name      `xml:"ListServerCertificatesResult"`
	ServerCertificateMetadataList members[none] `xml:"ServerCertificateMetadataList"`
	pageXML
}

// listServerCertificates answers the account's server certificates: none,
// since none can be uploaded. The filter and paging are still validated.
func (s *Service) listServerCertificates(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	in.pathPrefix()
	in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorize(ctx, call, callerAccount(call), "*", nil); e != nil {
		return nil, e
	}
	return listServerCertificatesResult{}, nil
}
