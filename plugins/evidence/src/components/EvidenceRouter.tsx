import { Route, Routes } from 'react-router-dom';
import { CollectorRunPage } from './collectors/CollectorRunPage';
import { EvidenceHome } from './EvidenceHome';
import { EvidenceItemPage } from './item/EvidenceItemPage';

/** The plugin's root page: the tabs at `/`, one item at `/items/:id`, one run at `/runs/:id`. */
export function EvidenceRouter() {
  return (
    <Routes>
      <Route path="/items/:id" element={<EvidenceItemPage />} />
      <Route path="/runs/:id" element={<CollectorRunPage />} />
      <Route path="/*" element={<EvidenceHome />} />
    </Routes>
  );
}
