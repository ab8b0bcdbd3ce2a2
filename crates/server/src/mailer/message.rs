//! A mail from the outbox as the message that goes over the wire (RFC 5322 with MIME):
//! plain text, with the attachment as a second part when there is one. lettre encodes the
//! headers (RFC 2047 for umlauts) and the parts (quoted-printable or base64).

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use store::mail_outbox::NewMail;

/// Why a mail cannot be written; it never will be, so the mail fails at once.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Unwritable {
    /// The recipient is no e-mail address.
    #[error("Die Empfängeradresse {0:?} ist keine gültige E-Mail-Adresse")]
    Recipient(String),
    /// lettre refused to build the message.
    #[error("Die Nachricht lässt sich nicht erstellen: {0}")]
    Message(String),
}

/// RFC 3834 §5: mails sent by a program, not a person, so that out-of-office replies and
/// other automatic answers are not sent back to us.
fn auto_submitted() -> HeaderValue {
    HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".into(),
    )
}

/// The message for `mail`, sent from `from`.
pub fn build(mail: &NewMail, from: &Mailbox) -> Result<Message, Unwritable> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|_| Unwritable::Recipient(mail.to.clone()))?;
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .raw_header(auto_submitted());
    let text = SinglePart::plain(mail.text.clone());
    let built = match &mail.attachment {
        None => builder.singlepart(text),
        Some(file) => {
            let content_type = ContentType::parse(&file.content_type)
                .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
            let part = Attachment::new(file.name.clone()).body(file.bytes.clone(), content_type);
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(part))
        }
    };
    built.map_err(|e| Unwritable::Message(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::mail_outbox::Attachment as File;

    fn from() -> Mailbox {
        "Durchwahl <durchwahl@lra.example>".parse().unwrap()
    }

    fn mail(to: &str) -> NewMail {
        NewMail {
            to: to.into(),
            subject: "Neue Sprachnachricht – Bürgerbüro".into(),
            text: "Grüße\nzweite Zeile".into(),
            attachment: None,
        }
    }

    fn wire(message: &Message) -> String {
        String::from_utf8(message.formatted()).unwrap()
    }

    #[test]
    fn a_plain_mail_is_text_with_encoded_umlauts_and_marked_automatic() {
        let message = build(&mail("Dora Neu <dora@lra.example>"), &from()).unwrap();
        let text = wire(&message);
        assert!(
            text.is_ascii(),
            "7-bit on the wire: no 8BITMIME needed\n{text}"
        );
        assert!(
            text.contains("Auto-Submitted: auto-generated\r\n"),
            "{text}"
        );
        assert!(text.contains("From: Durchwahl <durchwahl@lra.example>\r\n"));
        assert!(
            text.contains("To: \"Dora Neu\" <dora@lra.example>\r\n"),
            "{text}"
        );
        assert!(
            text.contains("Subject: Neue Sprachnachricht =?utf-8?b?"),
            "RFC 2047: {text}"
        );
        assert!(
            text.contains("Content-Type: text/plain; charset=utf-8"),
            "{text}"
        );
        let envelope = message.envelope();
        assert_eq!(envelope.to()[0].to_string(), "dora@lra.example");
        assert_eq!(
            envelope.from().unwrap().to_string(),
            "durchwahl@lra.example"
        );
    }

    #[test]
    fn an_attachment_is_a_second_part_with_its_name_and_type() {
        let mut m = mail("dora@lra.example");
        m.attachment = Some(File {
            name: "nachricht.ogg".into(),
            content_type: "audio/ogg".into(),
            bytes: vec![0, 1, 2, 255],
        });
        let text = wire(&build(&m, &from()).unwrap());
        assert!(text.contains("Content-Type: multipart/mixed;"), "{text}");
        assert!(text.contains("Content-Type: audio/ogg"), "{text}");
        assert!(
            text.contains("Content-Disposition: attachment; filename=\"nachricht.ogg\""),
            "{text}"
        );
        assert!(text.contains("AAEC/w=="), "base64 of the bytes: {text}");
        m.attachment.as_mut().unwrap().content_type = "kein typ".into();
        let text = wire(&build(&m, &from()).unwrap());
        assert!(
            text.contains("Content-Type: application/octet-stream"),
            "{text}"
        );
    }

    #[test]
    fn a_broken_address_cannot_be_written() {
        assert_eq!(
            build(&mail("dora at lra"), &from()).unwrap_err(),
            Unwritable::Recipient("dora at lra".into())
        );
    }
}
