import Testing

/// The parameterized reference tests take their cases from `Fixtures/recordings`; an empty or
/// missing folder would make them run nothing, so its contents are checked here.
@Suite struct RecordingFilesTests {
    @Test func theReferenceCasesAreInTheRepository() {
        #expect(Recordings.names("mcp", prefix: "ticket_handle.dry_run.").count >= 10)
        #expect(Recordings.names("mcp", prefix: "ticket_detail.").count >= 20)
        #expect(Recordings.names("rest", prefix: "ticket.ticket_detail_form.").count >= 40)
        #expect(!Recordings.detailIndex.isEmpty)
    }

    @Test func aMissingRecordingFailsOnlyItsTestWithTheName() {
        withKnownIssue {
            let object = Recordings.load("rest", "no_such.recording")
            #expect(object.isEmpty)
        } matching: { issue in
            issue.description.contains("no_such.recording.json")
        }
    }
}
