export default function Home() {
  return (
    <>
      <h1>Personalised songs</h1>
      <p>
        Describe a song, pay once, and get three variants to choose from. Your order page shows each variant as it
        is generated; share your favourite with a private link.
      </p>
      <p className="muted">
        API: <code>POST /api/customizations</code>, <code>POST /api/stripe/webhook</code>,{' '}
        <code>GET /api/orders/:id</code>, <code>GET /api/share/:token</code>.
      </p>
    </>
  );
}
