export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p className="muted">This link does not lead to a song. It may be mistyped, or the song is not ready yet.</p>
    </>
  );
}
