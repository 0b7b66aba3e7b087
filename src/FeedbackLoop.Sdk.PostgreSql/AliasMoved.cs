namespace FeedbackLoop.PostgreSql;

/// <summary>
/// The announcement of an alias move: the registry sends it with <c>pg_notify</c> in the move's own transaction, so it
/// is delivered when, and only if, the move commits; every instance's coordinator listens for its loop's model.
/// </summary>
internal static class AliasMoved
{
    /// <summary>The channel every FeedbackLoop schema announces on (a channel name is an identifier of at most 63 bytes; the schema goes in the payload).</summary>
    public const string Channel = "feedbackloop_alias_moved";

    /// <summary>The payload that names a model of a schema: the schema (a plain identifier, without '/') then the model.</summary>
    public static string Payload(string schema, string model) => schema + "/" + model;
}
