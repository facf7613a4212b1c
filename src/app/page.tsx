import Link from 'next/link';

/** What SongSwipe is, and the way in. */
export default function Home() {
  return (
    <section className="hero">
      <h1>A song written for one person</h1>
      <p>
        Tell us who it is for, the occasion and a little story. We compose three versions of their song; swipe through them, choose your favourite and share it
        with a private link.
      </p>
      <p>
        <Link className="button" href="/songs/new">
          Create a song
        </Link>
      </p>
      <h2>How it works</h2>
      <ol className="steps">
        <li>Describe the song: recipient, occasion, genre, mood and your story.</li>
        <li>Pay once with Stripe Checkout.</li>
        <li>Watch your three variants being composed, usually within a few minutes.</li>
        <li>Swipe, listen, choose one, and send its link to the person it is for.</li>
      </ol>
    </section>
  );
}
