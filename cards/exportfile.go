package cards

import (
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Files in the 1:1 chat: Teams lets a bot send a file only after the person accepts a file consent card; on
// accept, Teams opens an upload session in the person's OneDrive and sends a fileConsent/invoke with its address;
// the bot uploads the bytes there and then posts a file info card that opens the file (issue 9.2).
const (
	FileConsentType      = "application/vnd.microsoft.teams.card.file.consent"
	FileInfoType         = "application/vnd.microsoft.teams.card.file.info"
	FileDownloadInfoType = "application/vnd.microsoft.teams.file.download.info"
)

// FileContext is the accept and decline context of a file consent card: Teams sends it back with the invoke. It
// names a file the bot keeps for the person who was offered it, so the context alone gives nothing to anyone else.
type FileContext struct {
	File string `json:"file"`
}

// FileConsentContent is the content of a file consent card.
type FileConsentContent struct {
	Description    string      `json:"description"`
	SizeInBytes    int64       `json:"sizeInBytes"`
	AcceptContext  FileContext `json:"acceptContext"`
	DeclineContext FileContext `json:"declineContext"`
}

// FileConsent is a message offering the file name (size bytes) with a description the person reads; id names the
// file the bot keeps for the offer.
func FileConsent(text, name, description string, size int64, id string) schema.Activity {
	ctx := FileContext{File: id}
	return schema.Activity{Type: schema.Message, Text: text, TextFormat: "plain", Attachments: []schema.Attachment{{
		ContentType: FileConsentType, Name: name,
		Content: FileConsentContent{Description: description, SizeInBytes: size, AcceptContext: ctx, DeclineContext: ctx},
	}}}
}

// FileInfoContent is the content of a file info card.
type FileInfoContent struct {
	UniqueID string `json:"uniqueId"`
	FileType string `json:"fileType"`
}

// FileInfo is a message with the card of a file uploaded to the address Teams gave (contentURL), with the name,
// unique id and type of its upload session.
func FileInfo(text, name, contentURL, uniqueID, fileType string) schema.Activity {
	return schema.Activity{Type: schema.Message, Text: text, TextFormat: "plain", Attachments: []schema.Attachment{{
		ContentType: FileInfoType, Name: name, ContentURL: contentURL,
		Content: FileInfoContent{UniqueID: uniqueID, FileType: fileType},
	}}}
}
